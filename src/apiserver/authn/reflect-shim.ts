// @peculiar/x509 depends on tsyringe, which refuses to load unless a `reflect-metadata` polyfill
// has installed `Reflect.getMetadata`. That package is not a dependency of ours, so this module
// installs the few functions tsyringe uses (when nothing else has) before x509 is imported.
// Import it first: `import './reflect-shim.js';`.

type Store = Map<unknown, unknown>;
const metadata = new WeakMap<object, Map<PropertyKey | undefined, Store>>();

function own(target: object, key: PropertyKey | undefined, create: boolean): Store | undefined {
  let byKey = metadata.get(target);
  if (!byKey) {
    if (!create) return undefined;
    byKey = new Map();
    metadata.set(target, byKey);
  }
  let store = byKey.get(key);
  if (!store && create) {
    store = new Map();
    byKey.set(key, store);
  }
  return store;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R['getMetadata'] !== 'function') {
  const getOwnMetadata = (k: unknown, target: object, key?: PropertyKey) => own(target, key, false)?.get(k);
  const getMetadata = (k: unknown, target: object, key?: PropertyKey): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const s = own(t, key, false);
      if (s?.has(k)) return s.get(k);
    }
    return undefined;
  };
  Object.assign(R, {
    getOwnMetadata,
    getMetadata,
    hasMetadata: (k: unknown, target: object, key?: PropertyKey) => getMetadata(k, target, key) !== undefined,
    hasOwnMetadata: (k: unknown, target: object, key?: PropertyKey) => own(target, key, false)?.has(k) ?? false,
    defineMetadata: (k: unknown, v: unknown, target: object, key?: PropertyKey) => {
      own(target, key, true)!.set(k, v);
    },
    metadata: (k: unknown, v: unknown) => (target: object, key?: PropertyKey) => {
      own(target, key, true)!.set(k, v);
    },
  });
}

export {};
