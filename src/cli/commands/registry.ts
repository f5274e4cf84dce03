// CLI commands of the registry: register, models, versions, show, alias, tag.
import type { Command } from 'commander'

export function registerRegistryCommands(_program: Command): void {}
