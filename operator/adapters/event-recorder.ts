import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Writes core/v1 Events so users see what the operator did with `kubectl describe gravixpipeline`. */
export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly logger: Logger,
  ) {}

  async record(object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${object.name}.`, namespace: object.namespace },
      involvedObject: object,
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${object.namespace}/events`,
        body,
      });
    } catch (error) {
      // An Event is best effort: failing to write one must not fail the reconcile it describes.
      this.logger.warn({ err: error, reason }, 'event not recorded');
    }
  }
}
