export const authSchema = '';
