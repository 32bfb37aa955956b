// pods/log, pods/exec, pods/attach, pods/portforward: proxied to the pod's kubelet.
export {
  createStreamingHandler,
  parsePodSubresourcePath,
  STREAMING_SUBRESOURCES,
  type PodSubresourceRequest,
  type StreamingHandler,
  type StreamingOptions,
} from './handler.js';
