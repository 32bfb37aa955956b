// Informer indexes the controllers share. Use these exact functions so several controllers can
// add them to the same shared informer.

import type { KubeObject } from '../../api/registry.js';
import { getControllerOf } from './keys.js';

/** Objects by the UID of their controller (objects without one are not indexed). */
export const CONTROLLER_UID_INDEX = 'controllerUID';
export const indexByControllerUid = (o: KubeObject): string[] => {
  const uid = getControllerOf(o)?.uid;
  return uid ? [uid] : [];
};
