/** The Temporal Web UI page of one workflow, e.g. http://localhost:8233/namespaces/default/workflows/clip-…-0. */
export function workflowUiUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
  const base = uiBaseUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
