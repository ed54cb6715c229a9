// Registers public/sw.js (offline app shell) in production builds. Dev serves from Vite directly.
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  } catch (e) {
    console.warn('service worker registration failed; the app works online only', e);
    return null;
  }
}

/** Resolves when a service worker controls this page (after the first install, or at once). */
export function serviceWorkerReady(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return Promise.resolve(false);
  return navigator.serviceWorker.ready.then(() => true);
}
