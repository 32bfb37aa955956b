// Shapes shared by the apiserver's HTTP pieces (routing, authn, discovery, openapi, handlers).

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Who made a request, as upstream's user.Info. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

/** Decides who is calling; returns null when the request carries no valid credentials. */
export type Authenticator = (req: IncomingMessage) => UserInfo | null;

/**
 * A handler for a family of paths (discovery, openapi, health …). Returns false when the path is
 * not its own, so the router can try the next one. Errors thrown are StatusErrors or bugs.
 */
export type PathHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
