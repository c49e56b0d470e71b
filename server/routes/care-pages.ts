// shim (issue 13): re-export for the other areas until the merge
export { createCarePagesRouter } from '../features/care/pages';
export {
  activeUsersOf,
  backTo,
  careText,
  csrfField,
  flash,
  formBody,
  localInput,
  localTime,
  studentCell,
  studentFields,
  userSelect,
} from '../features/care/views/forms';
