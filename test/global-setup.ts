// Builds the Node bundles (the job worker and CLI) once before any test needs them.
import { buildNode } from '../scripts/build-node.mjs'

export default async function setup(): Promise<void> {
  await buildNode()
}
