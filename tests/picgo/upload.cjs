// Uploads files with PicGo-Core and picgo-plugin-s3 exactly as installed from npm, and prints,
// per file, the link PicGo made and the text the PicGo app pastes for it in every paste style.
//
//   node upload.cjs CONFIG.json FILE...      (one JSON line per file on stdout, after "RESULT ")
//
// PicGo-Core does the upload (its `path` transformer, the plugin's key and URL rules). What the
// PicGo app then pastes is not in PicGo-Core: the app formats `imgUrl` per `settings.pasteStyle`
// (URL-encoded unless `settings.encodeOutputURL` is false, with PicGo-Core's handleUrlEncode);
// `pasted()` below restates that rule so the test can compare Hoist's link format with it.
'use strict'

const { PicGo, PicGoUtils } = require('picgo')
const s3 = require('picgo-plugin-s3')

function pasted (config, item) {
  const settings = config.settings || {}
  let url = item.imgUrl || item.url
  if (settings.encodeOutputURL !== false) url = PicGoUtils.handleUrlEncode(url)
  const name = item.fileName.endsWith(item.extname)
    ? item.fileName.slice(0, item.fileName.length - item.extname.length)
    : item.fileName
  const custom = (settings.customLink || '$url')
    .split('$url').join(url)
    .split('$fileName').join(name)
    .split('$extName').join(item.extname)
  return {
    markdown: `![](${url})`,
    HTML: `<img src="${url}"/>`,
    URL: url,
    UBB: `[IMG]${url}[/IMG]`,
    Custom: custom
  }
}

async function main () {
  const [configPath, ...files] = process.argv.slice(2)
  if (!configPath || files.length === 0) {
    console.error('usage: node upload.cjs CONFIG.json FILE...')
    process.exit(2)
  }
  const picgo = new PicGo(configPath)
  picgo.use(s3, 'picgo-plugin-s3')
  let failed = false
  picgo.on('failed', () => { failed = true })
  const output = await picgo.upload(files)
  const config = picgo.getConfig()
  if (failed || output.length !== files.length) {
    console.error(`picgo: ${output.length} of ${files.length} uploaded`)
    process.exit(1)
  }
  for (const item of output) {
    const line = { fileName: item.fileName, imgUrl: item.imgUrl, pasted: pasted(config, item) }
    process.stdout.write('RESULT ' + JSON.stringify(line) + '\n')
  }
}

main().catch((e) => {
  console.error('picgo: ' + (e && e.stack ? e.stack : e))
  process.exit(1)
})
