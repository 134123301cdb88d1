import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ReaderApp } from './ReaderApp.js';
import { queryClient } from '../query.js';
import { Router } from '../router.js';
import { SessionProvider } from '../session.js';
import '../styles.css';
import './reader.css';

const root = document.getElementById('root');
if (!root) throw new Error('reader.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider loginPath="/reader/login">
        <Router>
          <ReaderApp />
        </Router>
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
