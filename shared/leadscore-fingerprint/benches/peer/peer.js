#!/usr/bin/env node
// Peer benchmark: the original JavaScript Wappalyzer engine on saved pages.
//
// Usage: node peer.js PAGES_DIR [--detections]
//
// Loads the same fingerprints as leadscore-fingerprint's bench (the MIT
// Wappalyzer data in third_party/wappalyzer, then data/fingerprints/b2b.json
// overriding technologies of the same name), extracts for every *.html under
// PAGES_DIR the inputs that the Wappalyzer npm driver passes to `analyze` for
// a page, and times only `Wappalyzer.analyze` + `Wappalyzer.resolve` on them
// (best of 3 runs per page). Prints one line of JSON to stdout.
//
// With --detections, also prints one JSON line per page to stderr with the
// names (and versions) it detected, for sanity checks.
'use strict'

const fs = require('fs')
const path = require('path')

// The engine reads this at load time; its per-pattern benchmarking would add
// work to every regex run.
delete process.env.WAPPALYZER_BENCHMARK

const ENGINE_PACKAGE = 'wappalyzer'
const Wappalyzer = require(`${ENGINE_PACKAGE}/wappalyzer.js`)
const { version: ENGINE_VERSION } = require(`${ENGINE_PACKAGE}/package.json`)
const parse5 = require('parse5')

const RUNS = 3
// Untimed runs on the first page before timing: V8 compiles each regex on
// its first use and optimizes the engine's functions after a few runs.
const WARMUP_RUNS = 5
const PAGE_URL = 'https://example.com/'
// Inputs the driver gives `analyze` that need a live browser, the network or
// a response, and so are not given here.
const SKIPPED_FIELDS = [
  'dom', // analyzeDom: CSS selectors run on the live DOM
  'js', // analyzeJs: global JavaScript variables of the running page
  'text', // document.body.innerText (needs layout)
  'css', // CSSOM rules of loaded stylesheets
  'headers',
  'cookies',
  'certIssuer',
  'xhr',
  'dns',
  'robots',
]
// The driver's defaults (options.htmlMaxCols / htmlMaxRows).
const HTML_MAX_COLS = 2000
const HTML_MAX_ROWS = 3000

const repo = path.resolve(__dirname, '../../../..')

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

function loadData() {
  const dir = path.join(repo, 'third_party/wappalyzer')
  const categories = readJson(path.join(dir, 'categories.json'))
  const technologies = {}
  const techDir = path.join(dir, 'technologies')
  for (const f of fs.readdirSync(techDir).filter((f) => f.endsWith('.json')).sort()) {
    Object.assign(technologies, readJson(path.join(techDir, f)))
  }
  const ours = readJson(path.join(repo, 'data/fingerprints/b2b.json'))
  let overridden = 0
  for (const [name, spec] of Object.entries(ours)) {
    if (Object.prototype.hasOwnProperty.call(technologies, name)) overridden++
    technologies[name] = spec
  }
  return { categories, technologies, overridden }
}

function htmlFiles(dir, out = []) {
  let entries
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return out
  }
  for (const e of entries) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) htmlFiles(p, out)
    else if (e.name.endsWith('.html')) out.push(p)
  }
  return out
}

// The driver's truncation of very long HTML (keeps the first and last
// htmlMaxRows/2 chunks of htmlMaxCols characters).
function truncateHtml(html) {
  const batches = []
  const rows = html.length / HTML_MAX_COLS
  for (let i = 0; i < rows; i += 1) {
    if (i < HTML_MAX_ROWS / 2 || i > rows - HTML_MAX_ROWS / 2) {
      batches.push(html.slice(i * HTML_MAX_COLS, (i + 1) * HTML_MAX_COLS))
    }
  }
  return batches.join('\n')
}

function attr(node, name) {
  const a = node.attrs && node.attrs.find((a) => a.name === name)
  return a ? a.value : null
}

function textContent(node) {
  let s = ''
  for (const c of node.childNodes || []) {
    if (c.nodeName === '#text') s += c.value
    else if (c.childNodes) s += textContent(c)
  }
  return s
}

// What the driver extracts in the page with document.getElementsByTagName /
// querySelectorAll, done here on a spec-compliant parse (parse5, the parser
// of jsdom and cheerio).
function extract(html) {
  const doc = parse5.parse(html)
  const scriptSrc = []
  const scripts = []
  const meta = {}
  const stack = [doc]
  const elements = []
  // Document order (pre-order), as getElementsByTagName returns.
  while (stack.length) {
    const node = stack.pop()
    if (node.tagName) elements.push(node)
    const kids = node.childNodes || []
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i])
  }
  for (const el of elements) {
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') continue
    if (el.tagName === 'script') {
      const raw = attr(el, 'src')
      if (raw !== null && raw.trim() !== '') {
        // The driver reads the `src` property: the address resolved on the
        // page's URL.
        let src
        try {
          src = new URL(raw.trim(), PAGE_URL).href
        } catch {
          src = ''
        }
        if (src && !src.startsWith('data:text/javascript;')) scriptSrc.push(src)
      }
      const text = textContent(el)
      if (text) scripts.push(text)
    } else if (el.tagName === 'meta') {
      const key = attr(el, 'name') || attr(el, 'property')
      if (key) {
        const k = key.toLowerCase()
        meta[k] = meta[k] || []
        meta[k].push(attr(el, 'content'))
      }
    }
  }
  return { url: PAGE_URL, html: truncateHtml(html), scriptSrc, scripts, meta }
}

function quantile(sorted, q) {
  if (!sorted.length) return null
  // Nearest rank.
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]
}

function medianOf(sorted) {
  if (!sorted.length) return null
  const m = sorted.length >> 1
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
}

function round(x, d = 4) {
  return x === null ? null : Math.round(x * 10 ** d) / 10 ** d
}

function main() {
  const args = process.argv.slice(2)
  const showDetections = args.includes('--detections')
  const pagesDir = args.find((a) => !a.startsWith('--'))
  if (!pagesDir) {
    process.stderr.write('usage: node peer.js PAGES_DIR [--detections]\n')
    process.exit(2)
  }

  const { categories, technologies } = loadData()
  Wappalyzer.setTechnologies(technologies)
  Wappalyzer.setCategories(categories)

  const files = htmlFiles(path.resolve(pagesDir)).sort()
  const times = []
  const counts = []
  let errors = 0

  let warmedUp = false
  for (const file of files) {
    let input
    try {
      // UTF-8, invalid sequences replaced (lossy), as the Rust bench reads.
      const html = new TextDecoder('utf-8', { fatal: false }).decode(fs.readFileSync(file))
      input = extract(html)
      if (!warmedUp) {
        warmedUp = true
        for (let r = 0; r < WARMUP_RUNS; r++) Wappalyzer.resolve(Wappalyzer.analyze(input))
      }
    } catch (e) {
      errors++
      process.stderr.write(`peer: ${file}: ${e && e.message}\n`)
      continue
    }
    let best = Infinity
    let resolved = null
    try {
      for (let r = 0; r < RUNS; r++) {
        const t0 = process.hrtime.bigint()
        const detections = Wappalyzer.analyze(input)
        const out = Wappalyzer.resolve(detections)
        const t1 = process.hrtime.bigint()
        best = Math.min(best, Number(t1 - t0) / 1e6)
        resolved = out
      }
    } catch (e) {
      errors++
      process.stderr.write(`peer: ${file}: ${e && e.message}\n`)
      continue
    }
    times.push(best)
    counts.push(resolved.length)
    if (showDetections) {
      process.stderr.write(
        JSON.stringify({
          page: path.relative(pagesDir, file),
          ms: round(best),
          detections: resolved.map((t) => (t.version ? `${t.name} ${t.version}` : t.name)),
        }) + '\n'
      )
    }
  }

  times.sort((a, b) => a - b)
  counts.sort((a, b) => a - b)
  const result = {
    engine: `${ENGINE_PACKAGE}@${ENGINE_VERSION}`,
    pages: times.length,
    median_ms: round(medianOf(times)),
    p90_ms: round(quantile(times, 0.9)),
    detections_median: medianOf(counts),
    skipped_fields: SKIPPED_FIELDS,
    inputs: ['url', 'html', 'scriptSrc', 'scripts', 'meta'],
    runs_per_page: RUNS,
    warmup_runs: WARMUP_RUNS,
    timed: 'Wappalyzer.analyze + Wappalyzer.resolve (best of runs; inputs extracted before the timer)',
    errors,
    node: process.version,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

try {
  main()
} catch (e) {
  // Never crash with a stack: report one line the bench can read.
  process.stdout.write(
    JSON.stringify({ engine: `${ENGINE_PACKAGE}@${ENGINE_VERSION}`, pages: 0, errors: 1, error: String(e && e.message) }) + '\n'
  )
  process.exitCode = 1
}
