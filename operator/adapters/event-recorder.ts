import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import { isNotFound } from './kube-errors.js';

import type { EventPort, EventType, InvolvedObject } from '../controller/ports.js';

export type { EventType, InvolvedObject };

/**
 * Writes core/v1 Events so users see what the operator did with `kubectl describe gravixpipeline`. Like client-go's
 * event correlator, one Event per (object, type, reason) is reused: a repeat raises its count and replaces its
 * message and lastTimestamp, so five broken pipelines retrying for minutes make five Events, not hundreds.
 */
export class EventRecorder implements EventPort {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly logger: Logger,
  ) {}

  async record(object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void> {
    const key = createHash('sha256')
      .update(`${object.uid ?? ''}/${type}/${reason}`)
      .digest('hex')
      .slice(0, 16);
    const name = `${object.name}.${key}`;
    try {
      if (!(await this.bump(object.namespace, name, message)))
        await this.create(name, object, type, reason, message);
    } catch (error) {
      // An Event is best effort: failing to write one must not fail the reconcile it describes.
      this.logger.warn({ err: error, reason }, 'event not recorded');
    }
  }

  private path(namespace: string, name = ''): string {
    return `/api/v1/namespaces/${namespace}/events${name ? `/${name}` : ''}`;
  }

  /** Raises the count of an existing Event; false when there is none (never recorded, or expired). */
  private async bump(namespace: string, name: string, message: string): Promise<boolean> {
    let count = this.counts.get(name);
    if (count === undefined) {
      const live = await this.client
        .request<{ count?: number }>({ method: 'GET', path: this.path(namespace, name) })
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (!live) return false;
      count = live.count ?? 1;
    }
    const body = {
      count: count + 1,
      message: message.slice(0, 1024),
      lastTimestamp: new Date().toISOString(),
    };
    try {
      await this.client.request({
        method: 'PATCH',
        path: this.path(namespace, name),
        body,
        contentType: 'application/merge-patch+json',
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.counts.delete(name);
      return false;
    }
    this.counts.set(name, count + 1);
    return true;
  }

  private async create(
    name: string,
    object: InvolvedObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: object.namespace },
      involvedObject: object,
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await this.client.request({ method: 'POST', path: this.path(object.namespace), body });
    this.counts.set(name, 1);
  }
}
