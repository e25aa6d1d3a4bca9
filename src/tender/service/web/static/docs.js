// Start Swagger UI on /openapi.json (a file, not an inline script: the docs page's CSP allows only 'self').
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
