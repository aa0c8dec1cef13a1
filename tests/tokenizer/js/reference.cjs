// The reference encoder for the cross-implementation tests and the benchmark: the
// JavaScript port of Hugging Face tokenizers (@lenml/tokenizers, from transformers.js).
//
//   node reference.cjs encode NPM_DIR TOKENIZER_DIR CORPUS.json OUT.json
//     CORPUS.json is an array of strings; OUT.json gets, per string, the ids with and without
//     special tokens and the decoding of the first (keeping and skipping special tokens,
//     without transformers' space clean-up).
//   node reference.cjs bench NPM_DIR TOKENIZER_DIR DOCS.json
//     encodes every document once (after a warm-up on the first ones) and prints
//     {"bytes": N, "seconds": S} on stdout.
"use strict";
const fs = require("fs");
const path = require("path");

function load(npmDir, tokenizerDir) {
  const lib = require(path.join(path.resolve(npmDir), "node_modules", "@lenml", "tokenizers"));
  const tokenizerJSON = JSON.parse(fs.readFileSync(path.join(tokenizerDir, "tokenizer.json"), "utf8"));
  const configPath = path.join(tokenizerDir, "tokenizer_config.json");
  const tokenizerConfig = fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, "utf8")) : {};
  return lib.TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
}

function main() {
  const [mode, npmDir, tokenizerDir, input, output] = process.argv.slice(2);
  const tok = load(npmDir, tokenizerDir);
  const texts = JSON.parse(fs.readFileSync(input, "utf8"));
  if (mode === "encode") {
    const out = texts.map((text) => {
      const ids = tok.encode(text, { add_special_tokens: true });
      const plain = tok.encode(text, { add_special_tokens: false });
      const opts = { clean_up_tokenization_spaces: false };
      const decoded = ids.length ? tok.decode(ids, { ...opts, skip_special_tokens: false }) : "";
      const decodedSkip = ids.length ? tok.decode(ids, { ...opts, skip_special_tokens: true }) : "";
      return { ids, plain, decoded, decoded_skip: decodedSkip };
    });
    fs.writeFileSync(output, JSON.stringify(out));
  } else if (mode === "bench") {
    let bytes = 0;
    for (const t of texts.slice(0, 20)) tok.encode(t, { add_special_tokens: false });
    const start = process.hrtime.bigint();
    for (const t of texts) {
      tok.encode(t, { add_special_tokens: false });
      bytes += Buffer.byteLength(t, "utf8");
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(JSON.stringify({ bytes, seconds }) + "\n");
  } else {
    throw new Error("unknown mode " + mode);
  }
}

main();
