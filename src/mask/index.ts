// Public surface of the pure mask engine (typed arrays only; no DOM, no React, no storage).
export * from './types';
export * from './paint';
export * from './polygon';
export * from './flood';
export * from './rle';
export * from './history';
export * from './resize';
export * from './threshold';
export * from './components';
export * from './distance';
export * from './metrics';
export * from './contours';
export * from './attributes';
export * from './prompts';
export * from './render';
export * from './scores';
export * from './appearance';
