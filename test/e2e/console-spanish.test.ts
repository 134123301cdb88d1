/*
 * The console in Spanish, in real Chromium against the real server: a browser that asks for Spanish
 * gets the sign-in page and the console in Spanish (html lang="es"), the pages pass axe in Spanish
 * (lists, forms, a roster run's report, the Users tab with its dialogs, notifications, the status
 * page), counted words take Spanish plurals, and the language switch on the Account page changes
 * every page to English and back, kept on the device across a reload.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { district11, writeBundle } from '../helpers/bundles.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

describe('the console in Spanish in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customerId: string;
  let runId: string;

  before(async () => {
    server = await startConsoleServer();
    customerId = (await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' } })).id;
    // A roster applied from the command line, so the customer has a run, people and a class.
    const bundle = await writeBundle(district11());
    const run = await server.ctx.runs.create(operatorActor, customerId, {
      trigger: 'cli',
      fileName: 'roster.zip',
      sizeBytes: fs.statSync(bundle).size,
      sha256: 'spanish',
      bundlePath: bundle,
      dryRun: false,
    });
    runId = (await server.ctx.runs.execute(run.runId, customerId, zipSource(bundle))).runId;
    browser = await launchBrowser();
    // A browser whose language is Spanish: Accept-Language and navigator.languages say es-ES.
    context = await browser.newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const lang = () => page.evaluate('document.documentElement.lang');

  it('signs in in Spanish and shows the customers list, the Add customer form and a customer’s pages in Spanish', async () => {
    await page.goto(`${server.url}/login`);
    await visible(page.getByRole('heading', { name: 'Iniciar sesión', level: 1 }));
    assert.equal(await lang(), 'es');
    assert.equal(await page.title(), 'Iniciar sesión · Lectern');
    await expectAccessible(page, 'console sign-in in Spanish');

    // Client-side checks speak Spanish too.
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await visible(page.getByText('Escribe tu usuario o tu correo electrónico y tu contraseña.'));
    // A server error is shown in Spanish from its code.
    await page.getByLabel('Usuario o correo electrónico').fill(ADMIN_EMAIL);
    await page.getByLabel('Contraseña', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await visible(page.getByText('El usuario o la contraseña no son correctos.'));

    await page.getByLabel('Contraseña', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${server.url}/customers`);
    await visible(page.getByRole('heading', { name: 'Clientes', level: 1 }));
    await visible(page.getByRole('columnheader', { name: 'Última sincronización' }));
    await visible(page.getByRole('link', { name: 'Lincoln USD' }));
    assert.match(await page.getByText(/^Mostrando 1–1 de 1$/).innerText(), /Mostrando/);
    await expectAccessible(page, 'customers list in Spanish');
    await screenshot(page, 'console-es-customers');

    await page.getByRole('link', { name: '+ Añadir cliente' }).first().click();
    await visible(page.getByRole('heading', { name: 'Añadir cliente', level: 1 }));
    await visible(page.getByRole('heading', { name: 'Perfil', level: 2 }));
    await page.getByRole('button', { name: 'Añadir', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Corrige los campos marcados.' }));
    assert.equal(await page.getByRole('textbox', { name: 'Nombre del cliente' }).getAttribute('aria-invalid'), 'true');
    await expectAccessible(page, 'Add customer form with errors in Spanish');
    await screenshot(page, 'console-es-add-customer', { fullPage: true });

    await page.goto(`${server.url}/customers/${customerId}/content`);
    await visible(page.getByRole('heading', { name: 'Contenido', level: 1 }));
    await visible(page.getByRole('heading', { name: 'Todavía no hay títulos' }));
    await expectAccessible(page, 'content page in Spanish');

    await page.goto(`${server.url}/customers/${customerId}/classes`);
    await visible(page.getByRole('tab', { name: 'Clase', selected: true }));
    await expectAccessible(page, 'classes tab in Spanish');
    assert.equal(await lang(), 'es');
  });

  it('shows a roster run, the Users tab and its dialogs, notifications and the status page in Spanish', async () => {
    await page.goto(`${server.url}/customers/${customerId}/roster/runs/${runId}`);
    await visible(page.getByRole('heading', { name: /roster\.zip/, level: 1 }));
    await visible(page.getByText('El listado se aplicó', { exact: true }));
    await visible(page.getByRole('heading', { name: 'Qué cambió esta sincronización' }));
    await visible(page.getByRole('table', { name: 'Registros por tipo y resultado' }));
    assert.match((await page.locator('.run-details').textContent()) ?? '', /Iniciada por.*Línea de comandos/);
    await page.getByRole('tab', { name: 'Cambios' }).click();
    await visible(page.getByRole('table', { name: 'Cambios hechos' }));
    await expectAccessible(page, 'roster run in Spanish');
    await screenshot(page, 'console-es-run', { fullPage: true });

    await page.goto(`${server.url}/customers/${customerId}/roster/runs`);
    await visible(page.getByRole('heading', { name: 'Ejecuciones del listado', level: 1 }));
    await visible(page.getByRole('table', { name: 'Ejecuciones del listado, de la más reciente a la más antigua' }));
    await expectAccessible(page, 'run history in Spanish');

    await page.goto(`${server.url}/customers/${customerId}/users`);
    await visible(page.getByRole('tab', { name: 'Usuarios', selected: true }));
    await visible(page.getByRole('link', { name: 'Sam One' }));
    // Two people ticked: a Spanish plural in the bulk bar and in the confirmation.
    await page.getByRole('checkbox', { name: 'Seleccionar Sam One' }).check();
    await page.getByRole('checkbox', { name: 'Seleccionar Sue Two' }).check();
    const bar = page.getByRole('region', { name: 'Acciones sobre los usuarios seleccionados' });
    await visible(bar.getByText('2 seleccionados'));
    await bar.getByRole('button', { name: 'Desactivar' }).click();
    const confirm = page.getByRole('dialog', { name: '¿Desactivar 2 usuarios?' });
    await visible(confirm);
    await expectAccessible(page, 'bulk disable dialog in Spanish');
    await confirm.getByRole('button', { name: 'Cancelar' }).click();
    await bar.getByRole('button', { name: 'Tarjetas de acceso' }).click();
    const cards = page.getByRole('dialog', { name: 'Imprimir tarjetas de acceso: 2 usuarios seleccionados' });
    await visible(cards.getByText(/^Una tarjeta para cada una de las 2 personas/));
    await expectAccessible(page, 'login cards dialog in Spanish');
    await cards.getByRole('button', { name: 'Cancelar' }).click();
    // The add-user form's own checks speak Spanish.
    await page.getByRole('button', { name: '+ Añadir usuario' }).click();
    const add = page.getByRole('dialog', { name: 'Añadir un usuario' });
    await add.getByRole('button', { name: 'Añadir usuario' }).click();
    await visible(add.getByText('Escribe el nombre.'));
    await visible(add.getByText('Escribe el usuario con el que entrará.'));
    await expectAccessible(page, 'add user dialog with errors in Spanish');
    await screenshot(page, 'console-es-add-user');
    await add.getByRole('button', { name: 'Cancelar' }).click();

    await page.goto(`${server.url}/customers/${customerId}/notifications`);
    await visible(page.getByRole('heading', { name: 'Notificaciones', level: 1 }));
    await visible(page.getByRole('heading', { name: 'Envíame un correo cuando' }));
    await visible(page.getByRole('heading', { name: 'Registro de entregas' }));
    await visible(page.getByLabel('Enviarme el resumen diario de todos los clientes'));
    await expectAccessible(page, 'notifications in Spanish');
    await screenshot(page, 'console-es-notifications', { fullPage: true });

    await page.goto(`${server.url}/status`);
    await visible(page.getByRole('heading', { name: 'Estado', level: 1 }));
    const summary = page.getByRole('region', { name: 'Clientes por estado' });
    assert.match((await summary.textContent()) ?? '', /Correcto 1/);
    await visible(page.getByRole('table', { name: 'Estado de los clientes' }).getByRole('link', { name: 'Lincoln USD', exact: true }));
    await expectAccessible(page, 'status page in Spanish');
    await screenshot(page, 'console-es-status', { fullPage: true });
    assert.equal(await lang(), 'es');
  });

  it('switches the console to English on the Account page and back, and keeps the choice across a reload', async () => {
    await page.goto(`${server.url}/account`);
    await visible(page.getByRole('heading', { name: 'Cuenta', level: 1 }));
    await expectAccessible(page, 'account page in Spanish');

    // The Account page's own switch (the top bar has the same one).
    await page.getByRole('main').getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await visible(page.getByRole('heading', { name: 'Account', level: 1 }));
    await visible(page.getByRole('heading', { name: 'API tokens', exact: true }));
    assert.equal(await lang(), 'en');
    await page.reload();
    await visible(page.getByRole('heading', { name: 'Account', level: 1 }));
    assert.equal(await lang(), 'en');

    await page.getByRole('main').getByRole('combobox', { name: 'Language' }).selectOption('es');
    await visible(page.getByRole('heading', { name: 'Tokens de API', exact: true }));
    assert.equal(await lang(), 'es');
    await page.goto(`${server.url}/customers`);
    await visible(page.getByRole('heading', { name: 'Clientes', level: 1 }));
  });
});
