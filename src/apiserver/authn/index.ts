export * from './pki.js';
export * from './kubeconfig.js';
export * from './authenticator.js';
export * from './tokens.js';
