// Electron shell entry (placeholder).
export {}
