import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../lib/app.mjs';

// A business officer adds an employer to the registry, is told in Chinese
// what is wrong with a mistyped code, and finds the employer again by a
// two-character word of its name.
describe('subjects', () => {
  const app = useApp({ name: 'subjects', needAccounts: ['yewu'] });

  it('an employer is added, found by a two-character word and shows its history', async () => {
    const page = await app.loginAs('yewu');
    await page.getByRole('link', { name: '监管对象' }).first().click();
    await page.waitForURL(/\/subjects/);
    await page.locator('#new-subject').click();
    await page.locator('#name').fill('石家庄鹿泉恒信机械制造有限公司');
    await page.locator('#uscc').fill('91130110MA0J55555X'); // wrong check character
    await page.locator('#legal_representative').fill('刘喆');
    await page.locator('#address').fill('鹿泉区铜冶镇工业街12号');
    await page.locator('#subject-form button[type="submit"]').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('.field.invalid .err').first().innerText(), /校验位错误/);

    await page.locator('#uscc').fill('91130110MA0J55555Q');
    await page.locator('#subject-form button[type="submit"]').click();
    await page.waitForURL(/\/subjects\/\d+/);
    assert.match(await page.locator('#subject-props').innerText(), /91130110MA0J55555Q/);
    assert.match(await page.locator('#subject-history').innerText(), /新增监管对象/);

    await page.goto(`${app.baseUrl}/subjects?q=${encodeURIComponent('机械')}`);
    const rows = page.locator('#subjects tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /恒信机械制造/);
    await page.goto(`${app.baseUrl}/subjects`);
    await page.evaluate(() => document.fonts.ready);
    await app.screenshot(page, 'subjects');
    app.assertHealthy(page);
    await page.context().close();
  });
});
