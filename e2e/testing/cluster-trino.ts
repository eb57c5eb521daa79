import { BasicAuth, Trino } from 'trino-client';
import { runTrinoStatement } from '../../workers/query/adapters/trino-statement-runner.js';
import { podIp } from './cluster-gravix.js';

/**
 * A pipeline's Trino as the test reads it from the host: statements on the coordinator pod's address (the host
 * reaches pod addresses over the cluster's bridge), through Trino's own system tables.
 */
export interface TrinoNode {
  nodeId: string;
  httpUri: string;
  coordinator: boolean;
  state: string;
}

async function coordinator(namespace: string, pipeline: string): Promise<Trino> {
  const ip = await podIp(namespace, `${pipeline}-trino-coordinator-0`);
  return Trino.create({ server: `http://${ip}:8080`, catalog: 'system', auth: new BasicAuth('gravix-e2e') });
}

/** The nodes the coordinator knows (system.runtime.nodes): itself and every worker that announced itself. */
export async function trinoNodes(namespace: string, pipeline: string): Promise<TrinoNode[]> {
  return listTrinoNodes(await coordinator(namespace, pipeline));
}

export async function listTrinoNodes(client: Trino): Promise<TrinoNode[]> {
  const rows = await runTrinoStatement(
    client,
    'SELECT node_id, http_uri, coordinator, state FROM system.runtime.nodes ORDER BY coordinator DESC, node_id',
  );
  return rows.map((r) => ({
    nodeId: String(r['node_id']),
    httpUri: String(r['http_uri']),
    coordinator: r['coordinator'] === true,
    state: String(r['state']),
  }));
}

/**
 * Tasks a node ran for the query and alert servers' metrics statements (tagged `gravix-statement`, run as
 * `EXECUTE IMMEDIATE`): not this helper's own lookups, which run on every node too.
 */
export async function metricsTasksOn(namespace: string, pipeline: string, nodeId: string): Promise<number> {
  return countMetricsTasks(await coordinator(namespace, pipeline), nodeId);
}

/**
 * Tasks a node ran for metrics statements that merge histograms with Gravix's Trino function (docs/adr/0146): the
 * node loaded the plugin its init container built, and the query server chose it.
 */
export async function nativeMergeTasksOn(
  namespace: string,
  pipeline: string,
  nodeId: string,
): Promise<number> {
  return countMetricsTasks(await coordinator(namespace, pipeline), nodeId, '%gravix_merge_histograms(%');
}

export async function countMetricsTasks(client: Trino, nodeId: string, containing = '%'): Promise<number> {
  const rows = await runTrinoStatement(
    client,
    'SELECT count(*) AS n FROM system.runtime.tasks t JOIN system.runtime.queries q ON t.query_id = q.query_id ' +
      `WHERE t.node_id = '${nodeId.replace(/'/g, "''")}' AND q.query LIKE '/* gravix-statement %EXECUTE IMMEDIATE%' ` +
      `AND q.query LIKE '${containing.replace(/'/g, "''")}'`,
  );
  return Number(rows[0]?.['n'] ?? 0);
}
