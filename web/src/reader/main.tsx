import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ReaderApp } from './ReaderApp.js';
import { SessionProvider } from '../session.js';
import '../styles.css';
import './reader.css';

const root = document.getElementById('root');
if (!root) throw new Error('reader.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <SessionProvider loginPath="/reader/login">
      <ReaderApp />
    </SessionProvider>
  </StrictMode>,
);
