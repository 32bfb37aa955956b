export { createOpenApiHandler, type OpenApiHandler, V2_PROTOBUF, V2_PROTOBUF_RESPONSE } from './handler.js';
export { buildV2Document, buildV3Document, groupVersionKey, type DocumentOptions } from './documents.js';
export { encodeSwaggerProto } from './proto.js';
