"""Workflows and helpers the API tests share."""

from __future__ import annotations

PING = """\
name: ping
on:
  repository_dispatch:
    types: [ping]
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo "pong ${{ github.event.client_payload.n }}"
"""

MANUAL = """\
name: manual
on:
  workflow_dispatch:
    inputs:
      cve:
        required: true
      level:
        type: choice
        options: [low, high]
        default: low
      dry-run:
        type: boolean
        default: true
      retries:
        type: number
        default: 3
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          echo "cve=${{ inputs.cve }} level=${{ inputs.level }} dry=${{ inputs.dry-run }}
          retries=${{ inputs.retries }} typed=${{ inputs.dry-run == true }}
          event=${{ github.event.inputs.dry-run }} ref=${{ github.ref }} actor=${{ github.actor }}"
"""

FLAKY = """\
name: flaky
on:
  repository_dispatch:
    types: [flaky]
jobs:
  good:
    runs-on: ubuntu-latest
    steps:
      - run: echo "good attempt ${{ github.run_attempt }}"
  bad:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "bad attempt ${{ github.run_attempt }}"
          test "${{ github.run_attempt }}" != 1
  after:
    needs: [bad]
    runs-on: ubuntu-latest
    steps:
      - run: echo "after attempt ${{ github.run_attempt }}"
"""

PUSH_ONLY = """\
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo push
"""

WORKFLOWS = {
    ".github/workflows/ping.yml": PING,
    ".github/workflows/manual.yml": MANUAL,
    ".github/workflows/flaky.yml": FLAKY,
    ".github/workflows/push.yml": PUSH_ONLY,
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
