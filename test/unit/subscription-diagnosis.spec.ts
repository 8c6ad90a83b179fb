import { COMPLYCUBE_EVENT_TYPES } from 'nestjs-complycube-webhooks';
import { ComplyCubeWebhook, diagnoseComplyCubeSubscription } from 'nestjs-complycube-webhooks/management';
import { complyCubeWebhookUrl, sameWebhookUrl } from '../../lib/management/subscription.diagnosis';

const URL_ = 'https://app.example.com/webhooks/complycube';

function webhook(fields: Partial<ComplyCubeWebhook> = {}): ComplyCubeWebhook {
  return { id: '5ed1712e99c81a0007b9a3d6', url: URL_, enabled: true, events: ['*'], ...fields };
}

const kinds = (diagnosis: ReturnType<typeof diagnoseComplyCubeSubscription>): string[] =>
  diagnosis.findings.map((finding) => `${finding.kind}:${finding.severity}`);

describe('the endpoint URL', () => {
  it.each([
    [['https://app.example.com', undefined, 'webhooks/complycube'], 'https://app.example.com/webhooks/complycube'],
    [['https://app.example.com/', '/api/', '/webhooks/complycube/'], 'https://app.example.com/api/webhooks/complycube'],
    [['https://proxy.example.com/svc/', '', 'hooks'], 'https://proxy.example.com/svc/hooks'],
  ])('joins %j with one slash each', (parts, expected) => {
    const [publicUrl, ...segments] = parts as [string, ...Array<string | undefined>];
    expect(complyCubeWebhookUrl(publicUrl, ...segments)).toBe(expected);
  });

  it('matches webhook URLs regardless of host case, default port and trailing slash', () => {
    expect(sameWebhookUrl('https://App.Example.com:443/webhooks/complycube/', URL_)).toBe(true);
    expect(sameWebhookUrl('https://app.example.com/webhooks/complycube2', URL_)).toBe(false);
    expect(sameWebhookUrl('https://app.example.com/Webhooks/complycube', URL_)).toBe(false);
    expect(sameWebhookUrl('http://app.example.com/webhooks/complycube', URL_)).toBe(false);
  });
});

describe('diagnoseComplyCubeSubscription', () => {
  it('finds nothing wrong when an enabled webhook sends exactly what the handlers take', () => {
    const diagnosis = diagnoseComplyCubeSubscription({
      url: URL_,
      webhooks: [
        webhook({ url: 'https://other.example.com/hook' }),
        webhook({ events: ['check.completed.clear', 'client.created', 'document.created', 'address.created'] }),
      ],
      handlerPatterns: ['check.completed.clear', '*.created'],
    });
    expect(diagnosis.findings).toEqual([]);
    expect(diagnosis.webhooks).toHaveLength(1);
  });

  it('reports a missing webhook as an error, with the command that creates the right one', () => {
    const diagnosis = diagnoseComplyCubeSubscription({
      url: URL_,
      webhooks: [webhook({ url: 'https://other.example.com/hook' })],
      handlerPatterns: ['check.completed.*'],
    });
    expect(kinds(diagnosis)).toEqual(['missing:error']);
    expect(diagnosis.findings[0].message).toContain(
      `webhooks create --url ${URL_} --events 'check.completed.clear,check.completed.attention,check.completed.rejected,check.completed.match_confirmed'`,
    );
  });

  it('reports a disabled webhook as an error', () => {
    const diagnosis = diagnoseComplyCubeSubscription({ url: URL_, webhooks: [webhook({ enabled: false })], handlerPatterns: ['*'] });
    expect(kinds(diagnosis)).toEqual(['disabled:error']);
    expect(diagnosis.findings[0].message).toContain('webhooks enable 5ed1712e99c81a0007b9a3d6');
  });

  it('reports types the handlers take but the webhook does not send as an error', () => {
    const diagnosis = diagnoseComplyCubeSubscription({
      url: URL_,
      webhooks: [webhook({ events: ['check.completed', 'check.pending'] })],
      handlerPatterns: ['check.**'],
    });
    expect(kinds(diagnosis)).toEqual(['handled-not-sent:error']);
    expect(diagnosis.findings[0].types).toEqual(
      COMPLYCUBE_EVENT_TYPES.filter((type) => type.startsWith('check.') && type !== 'check.completed' && type !== 'check.pending'),
    );
  });

  it('reports types sent but not handled as a warning, "*" meaning every documented type', () => {
    const diagnosis = diagnoseComplyCubeSubscription({ url: URL_, webhooks: [webhook()], handlerPatterns: ['check.**', 'workflow.**'] });
    expect(kinds(diagnosis)).toEqual(['sent-not-handled:warning']);
    expect(diagnosis.findings[0].types).toEqual(
      COMPLYCUBE_EVENT_TYPES.filter((type) => !type.startsWith('check.') && !type.startsWith('workflow.')),
    );
  });

  it('lists a sent type it does not know when no handler takes it', () => {
    const diagnosis = diagnoseComplyCubeSubscription({
      url: URL_,
      webhooks: [webhook({ events: ['client.created', 'person.created'] })],
      handlerPatterns: ['client.created'],
    });
    expect(diagnosis.findings.map((finding) => finding.types)).toEqual([['person.created']]);
  });

  it('wants "*" when the handlers take every type, and the matching types otherwise', () => {
    const wanted = (handlerPatterns: string[]): string[] | undefined =>
      diagnoseComplyCubeSubscription({ url: URL_, webhooks: [], handlerPatterns }).wantedEvents;
    expect(wanted(['*'])).toEqual(['*']);
    expect(wanted(['**'])).toEqual(['*']);
    expect(wanted(['client.*', 'check.completed'])).toEqual(['check.completed', 'client.created', 'client.updated', 'client.deleted']);
    expect(wanted([])).toBeUndefined();
    expect(wanted(['person.created'])).toBeUndefined();
  });

  it('warns about several webhooks on one URL and compares what they send together', () => {
    const diagnosis = diagnoseComplyCubeSubscription({
      url: URL_,
      webhooks: [webhook({ id: 'a', events: ['client.created'] }), webhook({ id: 'b', events: ['client.updated'] })],
      handlerPatterns: ['client.created', 'client.updated'],
    });
    expect(kinds(diagnosis)).toEqual(['duplicate:warning']);
    expect(diagnosis.findings[0].message).toContain('(a, b)');
  });

  it('without handler patterns, only checks that the webhook exists and is enabled', () => {
    expect(kinds(diagnoseComplyCubeSubscription({ url: URL_, webhooks: [webhook({ events: ['client.created'] })] }))).toEqual([]);
    expect(kinds(diagnoseComplyCubeSubscription({ url: URL_, webhooks: [webhook({ enabled: false })] }))).toEqual(['disabled:error']);
  });
});
