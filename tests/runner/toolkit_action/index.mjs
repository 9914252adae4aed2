// An action as users write them, with the toolkit from npm (resolved from the node_modules at the
// root of the checkout): inputs, outputs, a masked value, a step summary, and an issue opened with
// Octokit against GITHUB_API_URL.
import * as core from '@actions/core'
import * as github from '@actions/github'

try {
  const title = core.getInput('title', { required: true })
  const word = core.getInput('secret-word', { required: true })
  core.setSecret(word)
  console.log(`T:the word is ${word}`)
  core.setOutput('greeting', `hello ${title}`)
  await core.summary.addHeading('Toolkit summary').addRaw(`Opened for ${github.context.repo.owner}`).write()
  const octokit = github.getOctokit(core.getInput('token'), { baseUrl: process.env.GITHUB_API_URL })
  const { data: issue } = await octokit.rest.issues.create({
    ...github.context.repo,
    title,
    body: `event ${github.context.eventName}, run ${github.context.runId}`
  })
  console.log(`T:issue ${issue.number} ${issue.title}`)
  core.setOutput('issue-number', String(issue.number))
} catch (error) {
  core.setFailed(error.message)
}
