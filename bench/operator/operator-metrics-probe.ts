/** Reads the operator process's own CPU and memory from its /metrics (prom-client default metrics). */
export interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
  /**
   * Where the RSS is: V8's heap in use and reserved, memory outside it (Buffers), and the old space in use, where
   * long-lived objects (the watch caches) live. Sampled as is, not after a forced GC: garbage counts too.
   */
  heap: { usedBytes: number; totalBytes: number; externalBytes: number; oldSpaceUsedBytes: number };
  /** Requests the controller sent, by verb (GET, WATCH, POST, PUT, PATCH, DELETE). */
  requests: Record<string, number>;
  /** GETs (reads and lists, not watches) by resource: what the steady state still asks for, and of what. */
  getsByResource: Record<string, number>;
  passes: number;
  failedPasses: number;
  /** Passes by whether they synthesized their children or found them unchanged (docs/adr/0114). */
  syntheses: Record<string, number>;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`metric ${name} missing from /metrics`);
  return Number(line.split(' ')[1]);
}

/** Sums of a labelled counter by one label's value. */
function byLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(`^${name}\\{[^}]*${label}="([^"]+)"[^}]*\\} (\\S+)$`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match) out[match[1]!] = (out[match[1]!] ?? 0) + Number(match[2]);
  }
  return out;
}

/** GET requests of the request counter by its resource label. */
function getsByResource(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern =
    /^gravix_operator_api_requests_total\{(?=[^}]*verb="GET")[^}]*resource="([^"]+)"[^}]*\} (\S+)$/;
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match) out[match[1]!] = (out[match[1]!] ?? 0) + Number(match[2]);
  }
  return out;
}

export async function sampleProcess(port: number): Promise<ProcessSample> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const passes = byLabel(text, 'gravix_operator_reconcile_total', 'result');
  return {
    cpuSeconds: metric(text, 'gravix_operator_process_cpu_seconds_total'),
    rssBytes: metric(text, 'gravix_operator_process_resident_memory_bytes'),
    heap: {
      usedBytes: metric(text, 'gravix_operator_nodejs_heap_size_used_bytes'),
      totalBytes: metric(text, 'gravix_operator_nodejs_heap_size_total_bytes'),
      externalBytes: metric(text, 'gravix_operator_nodejs_external_memory_bytes'),
      oldSpaceUsedBytes:
        byLabel(text, 'gravix_operator_nodejs_heap_space_size_used_bytes', 'space')['old'] ?? 0,
    },
    requests: byLabel(text, 'gravix_operator_api_requests_total', 'verb'),
    getsByResource: getsByResource(text),
    passes: Object.values(passes).reduce((a, b) => a + b, 0),
    failedPasses: passes['error'] ?? 0,
    syntheses: byLabel(text, 'gravix_operator_synth_total', 'outcome'),
  };
}
