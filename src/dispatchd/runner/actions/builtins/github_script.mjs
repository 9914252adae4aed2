// The body of dispatchd's built-in actions/github-script: what actions/github-script's
// src/main.ts does, with GitHub's toolkit packages loaded from DISPATCHD_NODE_MODULES_DIR.
// The script is the body of an async function with github, octokit, getOctokit, context, core,
// exec, glob, io and require in scope; its return value becomes the `result` output.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const modules = process.env.DISPATCHD_NODE_MODULES_DIR

// The toolkit packages are ES modules (exports with only an "import" condition), so they are
// imported by file URL from their package.json entry point; their own dependencies then resolve
// from node_modules as usual.
async function load(name) {
  const dir = path.join(modules, name)
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  let entry = pkg.exports && (pkg.exports['.'] ?? pkg.exports)
  if (entry && typeof entry === 'object') entry = entry.import ?? entry.default ?? entry.require
  entry = entry || pkg.module || pkg.main || 'index.js'
  return import(pathToFileURL(path.join(dir, entry)).href)
}

const core = await load('@actions/core')
const githubPkg = await load('@actions/github')
const exec = await load('@actions/exec')
const glob = await load('@actions/glob')
const io = await load('@actions/io')

// src/main.ts: an unhandled rejection (an un-awaited API call that fails) fails the step too.
function handleError(err) {
  console.error(err)
  core.setFailed(`Unhandled error: ${err}`)
}
process.on('unhandledRejection', handleError)

// src/retry-options.ts parses this list; kept for the same input validation.
function parseNumberArray(listString) {
  if (!listString) return []
  return listString.split(',').map(s => s.trim()).filter(Boolean).map(Number)
}

async function main() {
  const token = core.getInput('github-token', { required: true })
  const debug = core.getBooleanInput('debug')
  const userAgent = core.getInput('user-agent')
  const previews = core.getInput('previews')
  const baseUrl = core.getInput('base-url') || process.env.GITHUB_API_URL
  parseNumberArray(core.getInput('retry-exempt-status-codes'))

  const opts = {}
  if (debug) opts.log = console
  if (userAgent != null) opts.userAgent = userAgent
  if (previews != null && previews !== '') opts.previews = previews.split(',')
  if (baseUrl) opts.baseUrl = baseUrl

  const github = githubPkg.getOctokit(token, opts)
  const script = core.getInput('script', { required: true })

  // src/wrap-require.ts: relative and bare specifiers resolve from the workspace first.
  const workspaceRequire = createRequire(path.join(process.cwd(), 'noop.js'))
  const wrapRequire = new Proxy(workspaceRequire, {
    apply: (target, thisArg, [moduleID]) => {
      if (moduleID.startsWith('.')) {
        return target.apply(thisArg, [path.resolve(moduleID)])
      }
      try {
        return target.apply(thisArg, [moduleID])
      } catch (err) {
        return target.apply(thisArg, [workspaceRequire.resolve(moduleID, { paths: [process.cwd()] })])
      }
    }
  })

  const args = {
    require: wrapRequire,
    __original_require__: workspaceRequire,
    github,
    octokit: github,
    getOctokit: (t, o) => githubPkg.getOctokit(t, { ...(baseUrl ? { baseUrl } : {}), ...o }),
    context: githubPkg.context,
    core,
    exec,
    glob,
    io
  }
  const AsyncFunction = Object.getPrototypeOf(async () => null).constructor
  const fn = new AsyncFunction(...Object.keys(args), script)
  const result = await fn(...Object.values(args))

  let encoding = core.getInput('result-encoding')
  encoding = encoding ? encoding : 'json'
  let output
  switch (encoding) {
    case 'json':
      output = JSON.stringify(result)
      break
    case 'string':
      output = String(result)
      break
    default:
      throw new Error('"result-encoding" must be either "string" or "json"')
  }
  core.setOutput('result', output)
}

main().catch(handleError)
