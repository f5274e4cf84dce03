// The window: a sidebar whose nav is generated from the views list, and the current view.
import { useEffect } from 'react'
import { useApp } from '../stores/app'
import { useRegisterDialog } from '../stores/register-dialog'
import { useRoute, hrefFor } from '../stores/route'
import { defaultView, views } from '../views'
import { useImportDialog } from '../stores/import-dialog'
import { DropZone } from './DropZone'
import { ImportDialog } from './ImportDialog'
import { JobsPanel } from './JobsPanel'
import { RegisterButton } from './RegisterButton'
import { RegisterDialog } from './RegisterDialog'
import { Text } from './Text'
import { UndoBar } from './UndoBar'

export function AppFrame() {
  const segments = useRoute((state) => state.segments)
  const syncFromLocation = useRoute((state) => state.syncFromLocation)
  const { info, error, load } = useApp()
  // While the register dialog is open the page behind it takes no focus or clicks (aria-modal alone
  // does not stop Tab from walking the background).
  const registerOpen = useRegisterDialog((state) => state.open)
  const importOpen = useImportDialog((state) => state.open)
  const dialogOpen = registerOpen || importOpen

  useEffect(() => {
    void load()
  }, [load])

  useEffect(() => {
    const sync = (): void => syncFromLocation(window.location.hash)
    sync()
    window.addEventListener('hashchange', sync)
    return () => window.removeEventListener('hashchange', sync)
  }, [syncFromLocation])

  const [viewId, ...rest] = segments
  const view = views.find((candidate) => candidate.id === viewId) ?? defaultView
  const View = view.component
  const viewSegments = view.id === viewId ? rest : []

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // The hash is the router's: move focus without navigating.
          event.preventDefault()
          document.getElementById('main')?.focus()
        }}
        data-testid="skip-link"
        inert={dialogOpen}
      >
        Skip to main content
      </a>
      <aside className="sidebar" inert={dialogOpen}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="label">Slipway</span>
        </div>
        <RegisterButton />
        <nav className="nav" data-testid="nav">
          {views.map((candidate) => (
            <a
              key={candidate.id}
              href={hrefFor(candidate.id)}
              className={candidate.id === view.id ? 'active' : undefined}
              aria-current={candidate.id === view.id ? 'page' : undefined}
              aria-label={candidate.title}
              title={candidate.title}
              data-testid={`nav-${candidate.id}`}
            >
              <span className="nav-icon" aria-hidden="true">
                {candidate.icon}
              </span>
              <span className="label">{candidate.title}</span>
            </a>
          ))}
        </nav>
        <JobsPanel />
        <footer className="about" data-testid="app-info">
          {info ? (
            <>
              <div>
                Slipway {info.version} · {info.face === 'web' ? 'web mode' : 'desktop'}
              </div>
              <div className="muted" title={info.home}>
                <Text value={info.home} max={60} />
              </div>
            </>
          ) : (
            <span className="error-text">{error}</span>
          )}
        </footer>
      </aside>
      <main className="content" id="main" tabIndex={-1} inert={dialogOpen}>
        <View segments={viewSegments} />
      </main>
      <DropZone />
      <RegisterDialog />
      <ImportDialog />
      <UndoBar />
    </div>
  )
}
