// Certificate helpers of eimzo-client. They take any object with the
// fields they read (a Certificate, or a Pick of one), so they also work on
// certificates that went through JSON and a store. The same rules are in
// Go (wasm/eimzo/certificate.go), which sets the role flags of listKeys();
// both are tested against wasm/eimzo/testdata/certificate-vectors.json.
import type { CertificateRole, CertificateStatus, Lang } from './types.js'

/** The fields the role helpers read. */
export interface RoleFields {
  TIN?: string | null
  UID?: string | null
  O?: string | null
}

/** A date as a Date, an ISO string or milliseconds; null when unknown. */
export type DateInput = Date | string | number | null | undefined

/** The fields getCertificateStatus reads. */
export interface ValidityFields {
  validFrom?: DateInput
  validTo?: DateInput
}

/**
 * 'legal' when the certificate carries an organisation TIN (TIN present and
 * not the personal UID), else 'yatt' when it names an organisation (an
 * individual entrepreneur), else 'physical'.
 */
export function getCertificateRole(cert: RoleFields): CertificateRole {
  const tin = cert.TIN ?? ''
  if (tin !== '' && tin !== (cert.UID ?? '')) return 'legal'
  if ((cert.O ?? '').trim() !== '') return 'yatt'
  return 'physical'
}

/** An employee of a legal entity: the certificate has an organisation TIN. */
export function isLegalEntity(cert: RoleFields): boolean {
  return getCertificateRole(cert) === 'legal'
}

/** A person, individual entrepreneurs included: no organisation TIN. */
export function isPhysicalPerson(cert: RoleFields): boolean {
  return getCertificateRole(cert) !== 'legal'
}

/** An individual entrepreneur (yakka tartibdagi tadbirkor): no organisation TIN, an organisation name. */
export function isYATT(cert: RoleFields): boolean {
  return getCertificateRole(cert) === 'yatt'
}

const roleLabels: Record<CertificateRole, Record<Lang, string>> = {
  legal: { uz: 'Yuridik shaxs', ru: 'Юридическое лицо', en: 'Legal entity' },
  yatt: { uz: 'Yakka tartibdagi tadbirkor', ru: 'Индивидуальный предприниматель', en: 'Individual entrepreneur' },
  physical: { uz: 'Jismoniy shaxs', ru: 'Физическое лицо', en: 'Natural person' },
}

/** The role's name for people, in uz (default), ru or en. */
export function getCertificateRoleLabel(cert: RoleFields, lang: Lang = 'uz'): string {
  const labels = roleLabels[getCertificateRole(cert)]
  return labels[lang] ?? labels.uz
}

/** How close to validTo a certificate counts as expiring, in days. */
export const expiringDays = 30

const day = 24 * 60 * 60 * 1000

function millis(d: DateInput): number | undefined {
  if (d === null || d === undefined || d === '') return undefined
  const t = d instanceof Date ? d.getTime() : typeof d === 'number' ? d : Date.parse(d)
  return Number.isFinite(t) ? t : undefined
}

/**
 * 'pending' before validFrom, 'expired' after validTo, 'expiring' within
 * 30 days of it, else 'active'; daysLeft is whole days until validTo
 * (rounded down, so negative once expired). The dates of listKeys() are
 * the real instants (the daemon writes Tashkent time), so the result does
 * not depend on the browser's time zone.
 */
export function getCertificateStatus(cert: ValidityFields, now: DateInput = Date.now()): CertificateStatus {
  const t = millis(now) ?? Date.now()
  const from = millis(cert.validFrom)
  const to = millis(cert.validTo)
  const daysLeft = to === undefined ? 0 : Math.floor((to - t) / day)
  let status: CertificateStatus['status'] = 'active'
  if (from !== undefined && t < from) status = 'pending'
  else if (to !== undefined && t > to) status = 'expired'
  else if (to !== undefined && daysLeft <= expiringDays) status = 'expiring'
  return { status, daysLeft }
}
