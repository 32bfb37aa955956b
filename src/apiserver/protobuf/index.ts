// Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) → upstream JSON.
export { decodeProtobufObject, type DecodedObject, type ExpectedKind } from './decode.js';
export { encodeProtobufObject } from './encode.js';
export { hasProtobufMagic, PROTOBUF_CONTENT_TYPE, PROTOBUF_MAGIC } from './envelope.js';
