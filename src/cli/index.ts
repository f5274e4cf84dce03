// Slipway's command line (placeholder until the CLI lands).
console.log('slipway')
