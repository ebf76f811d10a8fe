#!/usr/bin/env node
/**
 * `vigil`: the engine's command line. With --json a command prints exactly one JSON object on stdout;
 * errors go to stderr with a non-zero exit code that says what kind of failure it was.
 */
import { isVigilError, type ErrorCode } from '../errors.js';
import { VIGIL_VERSION } from '../version.js';
import { parseArgs, type ParsedArgs } from './args.js';
import { runAnalyzeCase } from './commands/analyze.js';
import { runAnalyzeFile } from './commands/analyze-file.js';
import { runEval } from './commands/eval.js';
import { runAsk, runEvalQa, runExplain } from './commands/reasoning.js';
import { runCaseExport, runCaseImport } from './commands/bundle.js';
import { runDetect } from './commands/detect.js';
import { auditVerify, caseCreate, caseList, caseShow, dbBackup, importFile, serve } from './commands/foundation.js';
import { runModelsList } from './commands/models.js';
import { runReport } from './commands/report.js';

const EXIT: Record<ErrorCode, number> = { invalid_input: 2, not_found: 3, conflict: 4, unsupported_media: 5, model_error: 6, cancelled: 130, forbidden: 7, internal: 1 };

type Command = (a: ParsedArgs) => Promise<unknown>;

const log = (m: string) => process.stderr.write(`${m}\n`);
const progress = (f: number, stage?: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${stage ?? ''} ${(f * 100).toFixed(0)}%   `);
};

const commands: Record<string, Command> = {
  'case create': caseCreate,
  'case list': caseList,
  'case show': caseShow,
  'case export': (a) => runCaseExport(a, progress),
  'case import': (a) => runCaseImport(a, progress),
  import: (a) => importFile(a, progress),
  'audit verify': auditVerify,
  'db backup': dbBackup,
  serve: (a) => serve(a, log),
  'models list': runModelsList,
  detect: (a) => runDetect(a, { onProgress: progress }),
  // With --db it analyses case evidence; with a FILE and no --db it is batch work writing --out JSON.
  analyze: (a) => (a.flags.db === undefined && a.positionals.length ? runAnalyzeFile(a, { onProgress: progress }) : runAnalyzeCase(a, progress)),
  eval: (a) => runEval(a, { onProgress: progress, log }),
  ask: runAsk,
  explain: runExplain,
  'eval-qa': (a) => runEvalQa(a, { onProgress: progress, log }),
  report: (a) => runReport(a, progress),
};

const USAGE = `vigil ${VIGIL_VERSION}: offline video anomaly investigation

  vigil case create --db PATH --name NAME [--examiner NAME] [--json]
  vigil case list --db PATH [--json]
  vigil case show --db PATH --case ID [--json]
  vigil case export --db PATH --case ID --out FILE.vigilcase [--include-evidence] [--force] [--json]
  vigil case import --db PATH FILE.vigilcase [--evidence-dir DIR] [--json]
  vigil import --db PATH --case ID FILE [--json]
  vigil audit verify --db PATH [--json]
  vigil db backup --db PATH [--out FILE] [--json]
  vigil serve --db PATH [--port N]
  vigil models list [--ep auto|cpu|cuda|dml|coreml] [--json]
  vigil detect FILE [--fps N] [--model nanodet|centernet] [--json]
  vigil analyze --db PATH --case ID --evidence EID [--reference EID,EID... | --together EID,EID...] [--fps N] [--detector auto|nanodet|centernet|none] [--json]
  vigil analyze FILE --out result.json [--reference FILE,FILE... | --together FILE,FILE...] [--fps N] [--detector NAME]
  vigil eval --dataset DIR [--reference train|self|together] [--clips a,b] [--json]
  vigil ask --db PATH --case ID [--conversation CID] "question" [--json]
  vigil explain --db PATH --case ID --event EVID [--json]
  vigil eval-qa --dataset DIR [--json]
  vigil report --db PATH --case ID --out FILE.pdf [--events ID,ID...] [--transcript] [--force] [--json]
`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [a0, a1] = args.positionals;
  const key = a1 !== undefined && commands[`${a0} ${a1}`] ? `${a0} ${a1}` : a0;
  const cmd = key ? commands[key] : undefined;
  if (!cmd || args.flags.help) {
    (cmd ? process.stdout : process.stderr).write(USAGE);
    return cmd || args.flags.help ? 0 : 2;
  }
  args.positionals = args.positionals.slice(key.split(' ').length);
  const result = await cmd(args);
  if (args.flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (isVigilError(e)) {
      log(`vigil: ${e.message}`);
      process.exit(EXIT[e.code]);
    }
    log(`vigil: internal error: ${(e as Error)?.stack ?? e}`);
    process.exit(1);
  },
);
