import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@sluice/testkit';

/** One instruction of a Dockerfile: `COPY --from=build /a /b` is `{ op: 'COPY', flags: {from: 'build'}, args: ['/a', '/b'] }`. */
export interface Instruction {
  op: string;
  flags: Record<string, string>;
  args: string[];
  /** The text after the instruction word, continuations joined. */
  text: string;
}

export interface Stage {
  /** `FROM <image> AS <name>`: the image. */
  image: string;
  name: string;
  instructions: Instruction[];
}

/** Logical lines: comments dropped, `\` continuations joined. */
function logicalLines(source: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(`${pending}${line}`.trim());
    pending = '';
  }
  if (pending) lines.push(pending.trim());
  return lines.filter((l) => l !== '');
}

function parseInstruction(line: string): Instruction {
  const [word = '', ...rest] = line.split(/\s+/);
  const text = line.slice(word.length).trim();
  const flags: Record<string, string> = {};
  const args: string[] = [];
  for (const token of rest) {
    const flag = /^--([a-z-]+)=(.*)$/.exec(token);
    if (flag && args.length === 0) flags[flag[1] as string] = flag[2] as string;
    else args.push(token);
  }
  return { op: word.toUpperCase(), flags, args, text };
}

/** The stages of a Dockerfile, in order. */
export function parseDockerfile(source: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of logicalLines(source).map(parseInstruction)) {
    if (instruction.op === 'FROM') {
      const [image = '', as, name] = instruction.args;
      stages.push({ image, name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${instruction.op} before FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

/** The repository's Dockerfile, parsed. */
export function readDockerfile(): Stage[] {
  return parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
}

/** The exec form (`["node", "x"]`) of an ENTRYPOINT or CMD instruction. */
export function execForm(stage: Stage, op: 'ENTRYPOINT' | 'CMD'): string[] {
  const instruction = stage.instructions.filter((i) => i.op === op).at(-1);
  if (!instruction) throw new Error(`stage ${stage.name} has no ${op}`);
  const value: unknown = JSON.parse(instruction.text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${op} is not in exec form`);
  return value;
}

/** The last value an instruction (WORKDIR, USER) sets in a stage. */
export function lastValue(stage: Stage, op: 'WORKDIR' | 'USER'): string | undefined {
  return stage.instructions.filter((i) => i.op === op).at(-1)?.text;
}

/** ENV variables set in a stage (`ENV A=b` lines). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.op === 'ENV')) {
    for (const pair of i.args) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
