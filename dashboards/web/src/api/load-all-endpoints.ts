import type { EndpointRow } from '../../../../workers/query/api-types.js';
import type { DashboardState } from '../domain/dashboard-state.js';
import { endpointsQuery } from '../domain/endpoint-table.js';
import type { ApiClient } from './api-client.js';

/** The API's largest page; an export of 57 endpoints is one call, of 2,500 three. */
const EXPORT_PAGE = 1000;
/** Paging ends here on the server (maxEndpointsOffset); the export stops with it rather than loop. */
const MAX_ROWS = 100_000;

/**
 * Every row of the endpoint table as it is shown: the range the shown page covers (`table`, the last answer's
 * from/to, so a preset range does not move on between showing and exporting; a picked bucket included), its
 * service, sort and volume floor, all pages, in the table's order. What "Download CSV" writes.
 */
export async function loadAllEndpoints(
  api: ApiClient,
  state: Pick<DashboardState, 'service' | 'sort'>,
  table: { from: number; to: number },
): Promise<EndpointRow[]> {
  const { sort, minRequests } = endpointsQuery({ ...state, page: 0 });
  const rows: EndpointRow[] = [];
  for (let offset = 0; offset < MAX_ROWS; offset += EXPORT_PAGE) {
    const page = await api.endpoints({
      service: state.service,
      from: table.from,
      to: table.to,
      sort,
      limit: EXPORT_PAGE,
      offset,
      minRequests,
    });
    rows.push(...page.endpoints);
    if (!page.truncated) break;
  }
  return rows;
}
