import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startI18n } from '../i18n/index.js';
import { ReaderApp } from './ReaderApp.js';
import { queryClient } from '../query.js';
import { Router } from '../router.js';
import { ReaderSettingsProvider } from './reading-settings.js';
import { SessionProvider } from '../session.js';
import '../styles.css';
import './reader.css';

const root = document.getElementById('root');
if (!root) throw new Error('reader.html has no #root element');
// The catalogue first, so the first paint is already in the reader's language.
await startI18n();
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider loginPath="/reader/login">
        <ReaderSettingsProvider>
          <Router>
            <ReaderApp />
          </Router>
        </ReaderSettingsProvider>
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
