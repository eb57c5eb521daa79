/** Reads the operator process's own CPU and memory from its /metrics (prom-client default metrics). */
export interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`metric ${name} missing from /metrics`);
  return Number(line.split(' ')[1]);
}

export async function sampleProcess(port: number): Promise<ProcessSample> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    cpuSeconds: metric(text, 'gravix_operator_process_cpu_seconds_total'),
    rssBytes: metric(text, 'gravix_operator_process_resident_memory_bytes'),
  };
}
