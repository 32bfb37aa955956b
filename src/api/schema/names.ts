// Upstream's OpenAPI definition names for kubernetes-types modules.

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Definition-name prefix of a kubernetes-types module ('core/v1' → 'io.k8s.api.core.v1'). */
export function definitionPrefix(module: string): string {
  switch (module) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default:
      return 'io.k8s.api.' + module.replace(/\//g, '.');
  }
}
