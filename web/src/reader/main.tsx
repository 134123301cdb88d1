import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startI18n } from '../i18n/index.js';
import { ReaderApp } from './ReaderApp.js';
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
    <SessionProvider loginPath="/reader/login">
      <ReaderSettingsProvider>
        <ReaderApp />
      </ReaderSettingsProvider>
    </SessionProvider>
  </StrictMode>,
);
