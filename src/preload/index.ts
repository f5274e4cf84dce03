// Preload bridge (placeholder).
export {}
