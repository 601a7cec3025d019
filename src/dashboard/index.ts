/**
 * The dashboard: a no-build front end (Preact + htm, uPlot) and its JSON/SSE API, as one Hono app.
 * Routes are relative: mount it with `app.route('/ui', dashboardRoutes(deps))` — the page and its
 * scripts refer to `/ui/...`, so `/ui` is the one mount point. Authentication, CSP and Host/Origin
 * checks are the mounting server's (src/http/).
 */
export { DASHBOARD_BASE, type DashboardDeps, type DashboardQueue, dashboardRoutes } from './routes.ts';
