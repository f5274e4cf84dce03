// What a view gives the app frame: its place in the nav and the component for its pages.
import type { ComponentType } from 'react'

export interface ViewProps {
  /** Route segments after the view's id: `#/registry/churn/3` → `['churn', '3']`. */
  segments: string[]
}

export interface ViewDefinition {
  /** First route segment and nav key, e.g. `registry`. */
  id: string
  /** Nav label. */
  title: string
  /** A one-character symbol standing for the view when the sidebar is folded to icons. */
  icon: string
  component: ComponentType<ViewProps>
}
