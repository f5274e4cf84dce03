// Web mode entry (placeholder until the server lands).
console.log('web mode')
