// Retraining recipes: one per model, local configuration only (never read from a shared store or
// a model file, since running someone else's command is remote code execution). Every change is
// a new numbered row and an audit record.
import { Cron } from 'croner'
import type { Recipe, RecipeRecord } from '../../api/retraining'
import { Recipe as RecipeSchema } from '../../api/retraining'
import { SlipwayError } from '../../api/errors'
import type { Actor, CoreContext } from '../context'
import { appendAudit } from '../governance/audit'
import { requireModel } from '../registry/registry'
import { checkFolder, checkTrainData } from './data'
import { findDataset } from '../drift/service'

interface RecipeRow {
  model_id: number
  version: number
  recipe_json: string | null
  created_at: string
  created_by: string
}

/** The cron expression's next time strictly after `from`, or null. */
export function nextScheduled(schedule: string, from: Date): Date | null {
  return new Cron(schedule, { paused: true }).nextRun(from)
}

export function checkSchedule(schedule: string): void {
  try {
    const next = nextScheduled(schedule, new Date())
    if (!next) throw new Error('it never fires')
  } catch (error) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `Schedule "${schedule}" is not a cron expression Slipway can use (${error instanceof Error ? error.message : String(error)}); e.g. "0 3 * * *" for 03:00 every day`,
    )
  }
}

function lastRow(core: CoreContext, modelId: number): RecipeRow | undefined {
  return core.db
    .prepare(
      'SELECT model_id, version, recipe_json, created_at, created_by FROM retrain_recipes WHERE model_id = ? ORDER BY version DESC LIMIT 1',
    )
    .get(modelId) as RecipeRow | undefined
}

function toRecord(modelName: string, row: RecipeRow, json: string, now = new Date()): RecipeRecord {
  const recipe = RecipeSchema.parse(JSON.parse(json))
  return {
    model: modelName,
    version: row.version,
    recipe,
    updatedAt: row.created_at,
    updatedBy: row.created_by,
    nextRunAt: recipe.schedule
      ? (nextScheduled(recipe.schedule, now)?.toISOString() ?? null)
      : null,
  }
}

export function getRecipe(core: CoreContext, model: string): RecipeRecord | null {
  const row = requireModel(core.db, model)
  const last = lastRow(core, row.id)
  return last?.recipe_json ? toRecord(row.name, last, last.recipe_json) : null
}

export function requireRecipe(core: CoreContext, model: string): RecipeRecord {
  const recipe = getRecipe(core, model)
  if (!recipe)
    throw new SlipwayError(
      'NOT_FOUND',
      `${model} has no retraining recipe; set one with \`slipway recipe set ${model} --command …\` or in the Retraining section`,
    )
  return recipe
}

/** Every model with a recipe, for the triggers. */
export function allRecipes(core: CoreContext): (RecipeRecord & { modelId: number })[] {
  const rows = core.db
    .prepare(
      `SELECT r.model_id, r.version, r.recipe_json, r.created_at, r.created_by, m.name AS model_name
       FROM retrain_recipes r JOIN models m ON m.id = r.model_id
       WHERE r.version = (SELECT MAX(version) FROM retrain_recipes WHERE model_id = r.model_id)
         AND r.recipe_json IS NOT NULL ORDER BY m.name`,
    )
    .all() as (RecipeRow & { model_name: string })[]
  return rows.flatMap((r) =>
    r.recipe_json ? [{ ...toRecord(r.model_name, r, r.recipe_json), modelId: r.model_id }] : [],
  )
}

/** Checks what can be checked now, so a recipe that can never run is refused when saved. */
function checkRecipe(core: CoreContext, model: string, recipe: Recipe): void {
  if (recipe.cwd !== null) checkFolder(recipe.cwd, 'Working directory')
  if (recipe.schedule !== null) checkSchedule(recipe.schedule)
  if (recipe.trainData) checkTrainData(core, model, recipe.trainData)
  if (recipe.evalData && 'dataset' in recipe.evalData) findDataset(core, recipe.evalData.dataset)
  if (recipe.onNewData && !(recipe.trainData && 'folder' in recipe.trainData))
    throw new SlipwayError(
      'INVALID_INPUT',
      'Retraining on new data needs a training-data folder to watch (--train-data folder:DIR)',
    )
  if (recipe.evalData && 'holdout' in recipe.evalData && recipe.trainData === null)
    throw new SlipwayError(
      'INVALID_INPUT',
      'A holdout split needs training data in the recipe (--train-data)',
    )
  if (!recipe.command.some((arg) => arg.includes('{output}')))
    throw new SlipwayError(
      'INVALID_INPUT',
      'The command never mentions {output}: the program must be told where to write the ONNX file',
    )
}

export function setRecipe(
  core: CoreContext,
  model: string,
  input: Recipe,
  actor: Actor,
): RecipeRecord {
  const row = requireModel(core.db, model)
  const recipe = RecipeSchema.parse(input)
  checkRecipe(core, row.name, recipe)
  core.db
    .transaction(() => {
      const version = (lastRow(core, row.id)?.version ?? 0) + 1
      core.db
        .prepare(
          'INSERT INTO retrain_recipes (model_id, version, recipe_json, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
        )
        .run(row.id, version, JSON.stringify(recipe), new Date().toISOString(), actor.name)
      appendAudit(core, actor, {
        action: 'recipe.set',
        modelId: row.id,
        details: { model: row.name, recipeVersion: version, recipe },
      })
    })
    .immediate()
  const stored = getRecipe(core, row.name)
  if (!stored) throw new SlipwayError('INTERNAL', `The recipe of ${row.name} was not stored`)
  return stored
}

export function removeRecipe(core: CoreContext, model: string, actor: Actor): { removed: boolean } {
  const row = requireModel(core.db, model)
  const last = lastRow(core, row.id)
  if (!last?.recipe_json) return { removed: false }
  core.db
    .transaction(() => {
      core.db
        .prepare(
          'INSERT INTO retrain_recipes (model_id, version, recipe_json, created_at, created_by) VALUES (?, ?, NULL, ?, ?)',
        )
        .run(row.id, last.version + 1, new Date().toISOString(), actor.name)
      appendAudit(core, actor, {
        action: 'recipe.remove',
        modelId: row.id,
        details: { model: row.name, recipeVersion: last.version + 1 },
      })
    })
    .immediate()
  return { removed: true }
}
