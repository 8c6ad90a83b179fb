/*
 * The payload each documented event type carries, after the "payload by resource type" table of
 * ComplyCube's webhook reference:
 * - checks: the whole check on create (`check.pending`), `id` and the changed fields on update,
 *   otherwise `id`, `status`, `outcome` (only when complete), `createdAt` and `updatedAt`;
 * - clients, documents, addresses (and live photos): the whole object on create, `id` and the
 *   changed fields on update, `id` alone on delete;
 * - workflow sessions: the reference does not detail them, so only `id` is typed as always there.
 *
 * Every field that takes one of a list of values (a check's type, status and outcome, a document's
 * type, an address's type, ...) lists the values ComplyCube's API reference documents as editor
 * hints, and accepts any other string: ComplyCube adds values without notice (third parties
 * already report a `not_processed` outcome the reference does not list), and such a value must
 * reach handlers as it is rather than break a build or be typed as something it is not. Only the
 * event type, which routes events, narrows a field to one value (`check.completed.rejected` has
 * the outcome `rejected`).
 *
 * Shapes are type aliases, not interfaces, so that every payload is also a
 * `Record<string, unknown>` and a narrowed event still fits where any event is expected.
 */

/** A string field with known values, shown as hints, that accepts any other string too. */
type KnownOr<T extends string> = T | (string & {});

export type ComplyCubeCheckStatus = KnownOr<'pending' | 'complete' | 'failed'>;

/** `not_processed`: document and proof-of-address checks whose images could not be read. */
export type ComplyCubeCheckOutcome = KnownOr<'clear' | 'attention' | 'rejected' | 'match_confirmed' | 'not_processed'>;

export type ComplyCubeCheckType = KnownOr<
  | 'standard_screening_check'
  | 'extensive_screening_check'
  | 'document_check'
  | 'identity_check'
  | 'enhanced_identity_check'
  | 'proof_of_address_check'
  | 'multi_bureau_check'
  | 'eid_check'
  | 'ssn_check'
  | 'age_estimation_check'
  | 'identity_fraud_check'
  | 'driving_license_check'
  | 'device_intelligence_check'
  | 'email_intelligence_check'
  | 'mobile_intelligence_check'
  | 'face_authentication_check'
>;

/** A check as the API returns it. */
export type ComplyCubeCheck<S extends ComplyCubeCheckStatus = ComplyCubeCheckStatus> = {
  id: string;
  clientId: string;
  entityName?: string;
  type: ComplyCubeCheckType;
  status: S;
  enableMonitoring?: boolean;
  documentId?: string;
  addressId?: string;
  livePhotoId?: string;
  liveVideoId?: string;
  clientConsent?: boolean;
  options?: Record<string, unknown>;
  /** Only once the check is complete; its content depends on the check type. */
  result?: { outcome: ComplyCubeCheckOutcome; breakdown?: Record<string, unknown> };
  createdAt: string;
  updatedAt: string;
};

/** The payload of `check.completed*` and `check.monitoring.attention`. */
export type ComplyCubeCompletedCheckPayload<O extends ComplyCubeCheckOutcome = ComplyCubeCheckOutcome> = {
  id: string;
  status: 'complete';
  outcome: O;
  createdAt: string;
  updatedAt: string;
};

/** The payload of `check.failed`: no outcome, as the check did not complete. */
export type ComplyCubeFailedCheckPayload = {
  id: string;
  status: 'failed';
  createdAt: string;
  updatedAt: string;
};

export type ComplyCubePersonDetails = {
  firstName?: string;
  middleName?: string;
  lastName?: string;
  dob?: string;
  gender?: KnownOr<'male' | 'female' | 'other'>;
  nationality?: string;
  birthCountry?: string;
  ssn?: string;
  socialInsuranceNumber?: string;
  nationalIdentityNumber?: string;
  taxIdentificationNumber?: string;
};

export type ComplyCubeCompanyDetails = {
  name?: string;
  website?: string;
  registrationNumber?: string;
  incorporationCountry?: string;
  incorporationType?: string;
};

/** A client (a person or a company) as the API returns it. */
export type ComplyCubeClient = {
  id: string;
  type: KnownOr<'person' | 'company'>;
  entityName?: string;
  email?: string;
  mobile?: string;
  telephone?: string;
  joinedDate?: string;
  externalId?: string;
  personDetails?: ComplyCubePersonDetails;
  companyDetails?: ComplyCubeCompanyDetails;
  metadata?: Record<string, string>;
  createdAt: string;
  updatedAt: string;
};

export type ComplyCubeDocumentImage = {
  id: string;
  fileName: string;
  documentSide: KnownOr<'front' | 'back'>;
  downloadLink: string;
  contentType: string;
  size: number;
  createdAt: string;
  updatedAt: string;
};

export type ComplyCubeDocumentType = KnownOr<
  | 'passport'
  | 'driving_license'
  | 'national_insurance_number'
  | 'social_security_number'
  | 'tax_identification_number'
  | 'utility_bill'
  | 'national_identity_card'
  | 'visa'
  | 'polling_card'
  | 'residence_permit'
  | 'birth_certificate'
  | 'bank_statement'
  | 'change_of_name'
  | 'tax_document'
  | 'company_confirmation_statement'
  | 'company_annual_accounts'
  | 'company_statement_of_capital'
  | 'company_change_of_address'
  | 'company_incorporation'
  | 'company_change_of_officers'
  | 'company_change_of_beneficial_owners'
  | 'unknown'
  | 'other'
>;

/** An identity, proof-of-address or company document as the API returns it. */
export type ComplyCubeDocument = {
  id: string;
  clientId: string;
  type: ComplyCubeDocumentType;
  classification?: KnownOr<'proof_of_identity' | 'source_of_wealth' | 'source_of_funds' | 'proof_of_address' | 'company_filing' | 'other'>;
  documentNumber?: string;
  issuingCountry?: string;
  /** The issuing US state, as its USPS abbreviation. */
  issuingState?: string;
  images?: ComplyCubeDocumentImage[];
  createdAt: string;
  updatedAt: string;
};

/** A client's address as the API returns it. */
export type ComplyCubeAddress = {
  id: string;
  clientId: string;
  /** Optional when the address is created, so absent from some addresses. */
  type?: KnownOr<'main' | 'alternative' | 'other'>;
  propertyNumber?: string;
  buildingName?: string;
  line: string;
  city: string;
  state?: string;
  postalCode?: string;
  country: string;
  fromDate?: string;
  toDate?: string;
  createdAt: string;
  updatedAt: string;
};

/**
 * A live photo as the API returns it. The reference lists live photos among the resources events
 * describe, but documents no live-photo event type yet; route one with a wildcard or a cast.
 */
export type ComplyCubeLivePhoto = {
  id: string;
  clientId: string;
  downloadLink: string;
  contentType: string;
  performLivenessCheck?: boolean;
  size: number;
  createdAt: string;
  updatedAt: string;
};

export type ComplyCubeWorkflowSessionStatus = KnownOr<'started' | 'processing' | 'complete' | 'abandoned' | 'cancelled'>;

/**
 * The payload of `workflow.session.*` events. ComplyCube's reference does not detail it, so
 * beyond `id` every field is optional; `status` is narrowed where the event type implies it.
 */
export type ComplyCubeWorkflowSessionPayload<S extends ComplyCubeWorkflowSessionStatus = ComplyCubeWorkflowSessionStatus> = {
  id: string;
  clientId?: string;
  entityName?: string;
  status?: S;
  outcome?: ComplyCubeCheckOutcome;
  workflowTemplateId?: string;
  workflowTemplateName?: string;
  workflowId?: string;
  workflowVersion?: number;
  allRelatedChecks?: Array<{ checkId: string; type: ComplyCubeCheckType; taskId: string }>;
  createdAt?: string;
  updatedAt?: string;
};

/** `id` of the updated object along with the fields that changed. */
export type ComplyCubeUpdatePayload<R extends { id: string }> = { id: string } & { [K in Exclude<keyof R, 'id'>]?: R[K] };

/** `id` of the deleted object. */
export type ComplyCubeDeletePayload = { id: string };

/**
 * For each documented event type: the `resourceType` it is expected to carry and the shape of its
 * `payload`. The reference documents only `check` as a `resourceType` (in its sample event); the
 * other names are read from its resource names and offered as hints: any string may arrive.
 */
export interface ComplyCubeEventMap {
  'workflow.session.started': { resourceType: KnownOr<'workflowSession'>; payload: ComplyCubeWorkflowSessionPayload<'started'> };
  'workflow.session.cancelled': { resourceType: KnownOr<'workflowSession'>; payload: ComplyCubeWorkflowSessionPayload<'cancelled'> };
  'workflow.session.processing': { resourceType: KnownOr<'workflowSession'>; payload: ComplyCubeWorkflowSessionPayload<'processing'> };
  'workflow.session.completed': { resourceType: KnownOr<'workflowSession'>; payload: ComplyCubeWorkflowSessionPayload<'complete'> };
  'workflow.session.updated': { resourceType: KnownOr<'workflowSession'>; payload: ComplyCubeWorkflowSessionPayload };
  'check.pending': { resourceType: KnownOr<'check'>; payload: ComplyCubeCheck<'pending'> };
  'check.completed': { resourceType: KnownOr<'check'>; payload: ComplyCubeCompletedCheckPayload };
  'check.completed.clear': { resourceType: KnownOr<'check'>; payload: ComplyCubeCompletedCheckPayload<'clear'> };
  'check.completed.attention': { resourceType: KnownOr<'check'>; payload: ComplyCubeCompletedCheckPayload<'attention'> };
  'check.completed.rejected': { resourceType: KnownOr<'check'>; payload: ComplyCubeCompletedCheckPayload<'rejected'> };
  'check.completed.match_confirmed': { resourceType: KnownOr<'check'>; payload: ComplyCubeCompletedCheckPayload<'match_confirmed'> };
  'check.monitoring.attention': { resourceType: KnownOr<'check'>; payload: ComplyCubeCompletedCheckPayload<'attention'> };
  'check.failed': { resourceType: KnownOr<'check'>; payload: ComplyCubeFailedCheckPayload };
  'check.updated': { resourceType: KnownOr<'check'>; payload: ComplyCubeUpdatePayload<ComplyCubeCheck> };
  'client.created': { resourceType: KnownOr<'client'>; payload: ComplyCubeClient };
  'client.updated': { resourceType: KnownOr<'client'>; payload: ComplyCubeUpdatePayload<ComplyCubeClient> };
  'client.deleted': { resourceType: KnownOr<'client'>; payload: ComplyCubeDeletePayload };
  'document.created': { resourceType: KnownOr<'document'>; payload: ComplyCubeDocument };
  'document.updated': { resourceType: KnownOr<'document'>; payload: ComplyCubeUpdatePayload<ComplyCubeDocument> };
  'document.updated.image_uploaded': { resourceType: KnownOr<'document'>; payload: ComplyCubeUpdatePayload<ComplyCubeDocument> };
  'document.updated.image_deleted': { resourceType: KnownOr<'document'>; payload: ComplyCubeUpdatePayload<ComplyCubeDocument> };
  'document.deleted': { resourceType: KnownOr<'document'>; payload: ComplyCubeDeletePayload };
  'address.created': { resourceType: KnownOr<'address'>; payload: ComplyCubeAddress };
  'address.updated': { resourceType: KnownOr<'address'>; payload: ComplyCubeUpdatePayload<ComplyCubeAddress> };
  'address.deleted': { resourceType: KnownOr<'address'>; payload: ComplyCubeDeletePayload };
}

/** The kind of object in an event's `payload`: the known names as hints, any other string accepted. */
export type ComplyCubeResourceType = ComplyCubeEventMap[keyof ComplyCubeEventMap]['resourceType'];

/** The payload of one documented event type, e.g. `ComplyCubeEventPayload<'client.created'>`. */
export type ComplyCubeEventPayload<T extends keyof ComplyCubeEventMap> = ComplyCubeEventMap[T]['payload'];
