// The instance administration offers nothing to other modules: only runtime.ts and app.ts build
// its service and routes.
export {};
