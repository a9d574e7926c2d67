-- Drives kboost's language server from Neovim's built-in LSP client (headless): opens the file
-- given on the command line, waits for diagnostics, asks for a hover, prints both as JSON on one
-- line prefixed with KBOOST_RESULT, and quits. Environment: KBOOST_SERVER_CMD (JSON array),
-- KBOOST_HOVER_LINE / KBOOST_HOVER_COL (0-based), KBOOST_PROFILE.
local cmd = vim.fn.json_decode(os.getenv('KBOOST_SERVER_CMD'))
local settings = { kboost = { profile = os.getenv('KBOOST_PROFILE') or 'linux-6.1' } }
local client_id = vim.lsp.start_client({
  name = 'kboost',
  cmd = cmd,
  root_dir = vim.fn.getcwd(),
  settings = settings,
  on_init = function(client)
    client.notify('workspace/didChangeConfiguration', { settings = settings })
  end,
})
vim.bo.filetype = 'asm'
vim.lsp.buf_attach_client(0, client_id)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(diagnostics, { line = d.lnum, col = d.col, severity = d.severity, code = d.code, message = d.message })
end
local hover_line = tonumber(os.getenv('KBOOST_HOVER_LINE') or '0')
local hover_col = tonumber(os.getenv('KBOOST_HOVER_COL') or '0')
local responses = vim.lsp.buf_request_sync(0, 'textDocument/hover', {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  position = { line = hover_line, character = hover_col },
}, 10000)
local hover = vim.NIL
for _, r in pairs(responses or {}) do
  if r.result and r.result.contents then hover = r.result.contents.value end
end
io.stdout:write('KBOOST_RESULT ' .. vim.fn.json_encode({ waited = ok, diagnostics = diagnostics, hover = hover }) .. '\n')
vim.lsp.stop_client(client_id)
vim.cmd('qa!')
