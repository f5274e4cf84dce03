// An error shown right where the user acted, in the contract's own words.
export function ErrorNote({
  message,
  testId,
}: {
  message: string | null | undefined
  testId?: string
}) {
  if (!message) return null
  return (
    <p className="error-note" role="alert" data-testid={testId}>
      {message}
    </p>
  )
}
