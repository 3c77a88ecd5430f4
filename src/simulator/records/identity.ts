/** The part of every job record that the store owns: its key and the origin of its timeline. */
export interface RecordIdentity {
  projectId: string;
  id: string;
  /** Simulator-clock ms at which the record was added; timeline steps are relative to it. */
  createdAt: number;
}
