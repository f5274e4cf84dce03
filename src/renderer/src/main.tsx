// Renderer entry: picks the transport, wires pushed events into the stores, renders the app frame.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { AppFrame } from './components/AppFrame'
import { openRegisterPicker } from './components/RegisterButton'
import { useJobs } from './stores/jobs'
import { openFilesInRegisterDialog } from './stores/register-dialog'
import { useRemotes } from './stores/remotes'
import { createClient, setClient } from './transport'
import './styles.css'

const api = createClient()
setClient(api)
api.onEvent((event) => {
  useJobs.getState().receive(event)
  useRemotes.getState().receive(event)
})
api.onMenuCommand((command) => {
  if (command === 'register-model') openRegisterPicker()
})
api.onOpenedFiles(openFilesInRegisterDialog)
void useJobs.getState().load()

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppFrame />
    </StrictMode>,
  )
}
