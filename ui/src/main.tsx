// Entry point: take the session token out of the URL, paint the right theme, then mount the app.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { captureSessionToken } from './api/client';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { initTheme } from './lib/theme';
import './index.css';

captureSessionToken();
initTheme();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
