import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../lib/app.mjs';

// The 执法监督通知书 journey through the real pages: the legal office drafts
// it from the sample and reviews it, the bureau head signs and seals it, the
// legal office records its service; the page then shows the number, the PDF
// and the running 复查 application clock.
describe('documents', () => {
  const app = useApp({ name: 'documents', needAccounts: ['fazhi', 'juzhang'] });

  it('a supervision notice is drafted, reviewed, sealed, issued and served', async () => {
    const fazhi = await app.loginAs('fazhi');
    await fazhi.getByRole('link', { name: '文书' }).first().click();
    await fazhi.waitForURL(/\/documents/);
    await fazhi.locator('#new-document').click();
    await fazhi.locator('#type-cards').getByText('执法监督通知书', { exact: true }).click();
    await fazhi.getByText('用示例内容填写').click();
    await fazhi.locator('[name="f_deadline_days"]').fill('20');
    await fazhi.locator('#document-form button[type="submit"]').click();
    await fazhi.waitForURL(/\/documents\/\d+/);
    const docUrl = fazhi.url().split('?')[0];
    assert.match(await fazhi.locator('#doc-status').innerText(), /草稿/);

    await fazhi.locator('#submit-review').click();
    await fazhi.waitForLoadState('load');
    assert.match(await fazhi.locator('#doc-status').innerText(), /法制审核中/);
    await fazhi.locator('#opinion').fill('同意印发');
    await fazhi.locator('#approve').click();
    await fazhi.waitForLoadState('load');
    assert.match(await fazhi.locator('#doc-status').innerText(), /审核通过/);
    await app.screenshot(fazhi, 'document-approved');

    const head = await app.loginAs('juzhang');
    await head.goto(docUrl);
    await head.locator('#issue-doc').click();
    await head.waitForLoadState('load');
    const number = (await head.locator('#doc-number').innerText()).trim();
    assert.match(number, /^鹿人社监通〔\d{4}〕\d+号$/);
    assert.match(await head.locator('#pdf-hash').innerText(), /^[0-9a-f]{64}$/);
    app.assertHealthy(head);
    await head.context().close();

    await fazhi.goto(docUrl);
    await fazhi.locator('#method').selectOption('direct');
    await fazhi.locator('#recipient').fill('石家庄鹿泉宏达建材有限公司（王喆签收）');
    await fazhi.locator('#record-service').click();
    await fazhi.waitForLoadState('load');
    const clocks = fazhi.locator('#doc-clocks');
    await clocks.waitFor({ state: 'visible' });
    const text = await clocks.innerText();
    assert.match(text, /申请复查/, 'the 复查 application clock runs');
    assert.match(text, /限期整改/, 'the rectification deadline runs');
    assert.match(await fazhi.locator('#services').innerText(), /直接送达/);
    // The issued PDF is served.
    const pdf = await fazhi.request.get(`${docUrl}/pdf`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.ok((await pdf.body()).subarray(0, 4).toString() === '%PDF');
    await fazhi.evaluate(() => document.fonts.ready);
    await app.screenshot(fazhi, 'document-served');
    app.assertHealthy(fazhi);
    await fazhi.context().close();
  });
});
