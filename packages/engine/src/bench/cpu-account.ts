/**
 * CPU seconds spent over a stretch of a benchmark, beside its wall time. On a shared virtual machine the
 * wall time of the same run varies by half or more with what the host runs beside it (the hypervisor's
 * "steal"), while the CPU time the work itself needs varies far less: the figures tell a slow spell from a
 * slower pipeline. Linux only (/proc); elsewhere the child and steal figures are null.
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second in /proc (USER_HZ, 100 on every mainstream Linux build). */
const USER_HZ = 100;

export interface CpuMark {
  /** This process, every thread (main, workers, ONNX Runtime's pool), µs. */
  selfUs: number;
  /** Children waited for (ffmpeg, ffprobe), ticks; null without /proc. */
  childTicks: number | null;
  /** The machine's CPU ticks: all, and those stolen by the hypervisor; null without /proc. */
  machine: { total: number; steal: number } | null;
}

export interface CpuSpent {
  /** This process's CPU seconds. */
  self: number;
  /** Its children's CPU seconds (null where unknown). */
  children: number | null;
  /** Share of the machine's CPU time the hypervisor took from it meanwhile (null where unknown). */
  stealShare: number | null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function childTicks(): number | null {
  const stat = readOrNull('/proc/self/stat');
  if (!stat) return null;
  // Fields after the parenthesised command name (which may hold spaces); cutime and cstime are fields 16 and
  // 17 of the whole line, so 14 and 15 counted from the state field.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cu = Number(f[13]);
  const cs = Number(f[14]);
  return Number.isFinite(cu) && Number.isFinite(cs) ? cu + cs : null;
}

function machineTicks(): CpuMark['machine'] {
  const line = readOrNull('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice — already inside user and nice]
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 8 || v.some((x) => !Number.isFinite(x))) return null;
  return { total: v.reduce((a, b) => a + b, 0), steal: v[7] };
}

export function cpuMark(): CpuMark {
  const u = process.cpuUsage();
  return { selfUs: u.user + u.system, childTicks: childTicks(), machine: machineTicks() };
}

export function cpuSince(m: CpuMark): CpuSpent {
  const now = cpuMark();
  const children = now.childTicks !== null && m.childTicks !== null ? (now.childTicks - m.childTicks) / USER_HZ : null;
  let stealShare: number | null = null;
  if (now.machine && m.machine && now.machine.total > m.machine.total) {
    stealShare = (now.machine.steal - m.machine.steal) / (now.machine.total - m.machine.total);
  }
  return { self: (now.selfUs - m.selfUs) / 1e6, children, stealShare };
}

/** CPU seconds of the engine and its children together (null when the children's are unknown). */
export const cpuTotal = (c: CpuSpent): number | null => (c.children === null ? null : c.self + c.children);

/** "13.1 s CPU (engine 7.4, ffmpeg 5.7); host steal 12 %", with what is unknown left out. */
export function describeCpu(c: CpuSpent, childName = 'ffmpeg'): string {
  const total = cpuTotal(c);
  const parts = total === null ? `engine only ${c.self.toFixed(1)} s` : `${total.toFixed(1)} s CPU (engine ${c.self.toFixed(1)}, ${childName} ${c.children!.toFixed(1)})`;
  return c.stealShare === null ? parts : `${parts}; host steal ${(100 * c.stealShare).toFixed(0)} %`;
}
